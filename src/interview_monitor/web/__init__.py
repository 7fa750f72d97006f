"""The candidate page and the reviewer dashboard: static HTML, CSS and JS served by the app."""
