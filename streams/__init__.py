"""The Faust application: topics, agents, tables, web views and the command line."""
