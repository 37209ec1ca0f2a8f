"""OpenAPI description of the API token authentication (drf-spectacular extension)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SecondFactorTokenScheme(OpenApiAuthenticationExtension):
    target_class = "emplus.accounts.tokens.SecondFactorTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token" '
            "(create tokens on /accounts/tokens/).",
        }
