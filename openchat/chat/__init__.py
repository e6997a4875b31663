"""The service layer: what Open Chat does, independent of HTTP and of storage engines."""
