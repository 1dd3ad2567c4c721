"""Connecting any REST API from its OpenAPI document (3.0, 3.1 or Swagger 2.0).

One job per module:

- `source`: read a document (URL, file, text, dict) into a dict;
- `spec_validation`: validate it with openapi-spec-validator, once per content;
- `refs`, `schemas`: `$ref`s (cycles included), `allOf`, 3.1 types and nullable;
- `normalize`: the document → `model.ApiModel` (frozen dataclasses), every version alike;
- `naming`: civis-python's resource and method names, without its bugs;
- `pagination`: paging detected from the document and from each answer;
- `body_validation`: request bodies checked against their schema before sending;
- `auth`: the document's security schemes → the hub's `Auth` objects;
- `client`: the dynamic client, its methods with real signatures, over `ApiClient`;
- `responses`: read-only answers with attribute access;
- `cache`: per-connection document cache and the stored copy;
- `service`: `openapi_client(connection or name)`.
"""
