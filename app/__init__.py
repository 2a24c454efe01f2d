"""Streamlit glue shared by the pages: navigation, the active model, cached resources, widgets, jobs.

Dependencies point pages -> app -> core. Nothing here imports TensorFlow at import time.
"""
