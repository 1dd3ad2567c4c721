"""Webhook receivers: verify on the raw bytes, store in the inbox, apply later as a hint.

verify.py     each provider's check of a delivery (signature, handshake, replay window)
receive.py    the receiver: endpoint lookup, early answers, verification, the inbox row
events.py     a stored delivery -> the records it says changed
apply.py      the worker's side: fetch each record (or read the event) and upsert if newer
queue.py      one apply task queued at a time, however many deliveries arrive
stamps.py     the "changed since" stamp per connection and resource, for lists to poll
endpoints.py  each connection's endpoint and receiver URL
subscriptions.py  subscribing a connection at the provider, where its API allows it
views.py, urls.py  the receiver URL and the stamp endpoint
"""
