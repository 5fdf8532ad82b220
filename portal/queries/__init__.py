"""Small query modules: routes ask these, never the models directly."""
