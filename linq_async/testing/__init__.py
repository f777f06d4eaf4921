"""Testing helpers: a fake Linq server and a pytest plugin."""
