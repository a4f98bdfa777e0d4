"""The shared async store: models, migrations and the services that hold kundebot's business rules.

Nothing outside this package builds SQL. Transport code (Slack, console, workers) calls the services.
"""
