"""The Streamlit page's parts, one module each: state (resources and session state), actions (the
long-running work a button queues), inputs, outline, sections, export, sidebar and settings. Only
widgets and session state live here; every rule is in the zongjie core. app.py puts them together.
"""
