"""Knowledge base: articles, Polish text normalisation and synonym data (pure, stdlib only)."""
