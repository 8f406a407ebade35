"""HTTP helpers the app and routers share: byte-range responses, validation errors in the error shape,
and the request guard (body limits, credential gate, security headers)."""
