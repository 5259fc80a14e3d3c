"""Keyword alerts: rules journalists write in Kibana's query syntax, matched against new stories."""
