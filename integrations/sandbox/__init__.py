"""Local, faithful fakes of the provider APIs the hub speaks.

The sandbox is the *other side of the wire*: it never imports the hub's
integration client, only the standard library. One threaded HTTP server
serves every provider under its own path prefix (see `app.SandboxApp`), keeps
its data in its own SQLite file (`store.SandboxStore`), and injects faults on
demand (`faults`). The facts it imitates are in ../shared/providers/.
"""
