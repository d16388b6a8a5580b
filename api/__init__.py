"""Caring Promise: the backend, channels and embedded conversation engine."""
