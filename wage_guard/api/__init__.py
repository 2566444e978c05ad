"""The REST API ``/api/v1`` for the labour department's and employers' own systems (issue 13).

SpecTree (``openapi``) generates the OpenAPI 3 document from the pydantic models of ``schemas`` and validates every
request and every response against them; the interactive docs are Swagger UI's files as packaged by
flask-swagger-ui, served from here (no CDN). Tokens (``models``, ``services``) are issued and revoked by an
administrator, held by a staff account and narrowed to one employer or one county; only their SHA-256 is stored.
"""
