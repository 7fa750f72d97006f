"""Model files: where they live and the checks that they are the ones we tested."""
