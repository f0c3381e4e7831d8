"""The console's HTTP routes, one Sanic blueprint per concern:

- ``auth``: health checks, sign-in and sign-out;
- ``pages``: the HTML shells and the static files;
- ``api``: the JSON API agents read and act through (including the inbox:
  queue views, canned replies, transfer);
- ``streams``: the live updates (server-sent events);
- ``middleware``: what runs on every request and response.

``console.app.create_app`` only wires them (plus the workbench, the reports
and the tasks, which register themselves).
"""
