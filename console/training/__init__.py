"""The trainer workbench (issue 5): review conversations from the tracker
store, annotate messages, export training data and test stories, train and
evaluate a candidate model, and activate it on the running Rasa server.

- paths and URLs: ``bot.settings.WorkbenchSettings`` (environment, documented in the README)
- ``models``     tables (migration 0005_training)
- ``tracker``    read-only access to Rasa's SQL tracker store
- ``review``     conversation list, filters, conversation view, inbox
- ``annotate``   labels, tags, notes, reviewed flag (versioned writes)
- ``export``     annotated.yml and test stories
- ``evaluate``   held-out NLU evaluation of a model, and the comparison
- ``worker``     ``python -m console.training.worker RUN_ID``: train + evaluate
- ``routes``     the console pages and JSON API
"""
