"""The staff pages (HTML): sign-in, inbox, requests, alerts, dashboard, and what renders them."""
