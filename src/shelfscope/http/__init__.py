"""HTTP helpers the routers share: byte-range responses, validation errors in the error shape."""
