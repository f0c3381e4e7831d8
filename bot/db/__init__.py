"""Account-data layer: models, sessions, migrations, repository, importer.

Kept import-light on purpose: the Rasa action server imports every module at
start-up, so importing this package must not create files or open
connections.
"""
