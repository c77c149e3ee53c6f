from __future__ import annotations

from typing import Any

from ...ground.lazy import lazy_import

from ...knowledge.imports import last_segment
from ...knowledge.tree_facts import TreeFacts
from ...knowledge.validation import leaking_fields
from ..api import RuleSpec
from ._analysis import ClassRule, declares_leaking_class

# libcst runs its (0.9 G-instruction) import when a file is parsed, not when the screens run: ground/lazy.py
cst = lazy_import("libcst")


def secret_field_in_response(facts: TreeFacts, project: Any, settings: Any) -> bool:
    """BKL602: the file declares a class named like one that declares a secret field a response carries."""
    return declares_leaking_class(facts, project, settings)


SPEC = RuleSpec(
    code="BKL602",
    name="secret-field-in-response",
    message="Response schema has a field named like a secret",
    requires=("class",),
    screen=secret_field_in_response,
    local=True,
)


class SecretFieldInResponse(ClassRule):
    """
    ## What it does
    Reports a field named like a secret (`password`, `hashed_password`, `*_secret`, `api_key`, `salt`,
    `otp*`, `*_token`) in a schema that a route responds with.

    Response schemas are found across the project: `response_model=`, else the return annotation, the
    `model` entries of `responses={...}` (also a router's), through `list[...]`, `Optional[...]`,
    `Page[...]` and other generic wrappers, and the schemas their fields nest; the routes of routers a
    function builds and of classes that register their methods with `add_api_route` count too. A field
    inherited from a base class is reported where the base declares it. Not reported: `Field(exclude=True)` fields (they
    never leave), fields typed `bool`, numbers, dates or `SecretStr` (`otp_enabled: bool` is no secret,
    `SecretStr` serializes masked), pagination and CSRF tokens (`next_page_token`, `csrf_token`), share
    tokens (`share_token`, `public_*_token`: made to be handed on), masked values (`masked_api_key`, a
    field described as masked, a field the class's own methods fill with a masked value:
    `cls(api_key=secret.get_value(apply_mask=True))`, `api_key=mask_key(k)`), schemas that say they are
    credentials (`MountCredentials`, `UnmaskedApiKeyRead`: the answer of a route that reveals them), and
    credentials handed out on purpose.

    Names that say what a secret is *about* name no secret: a last word of metadata (`secret_name`,
    `secret_ref`, `password_set`, `password_policy`, `token_type`, `otp_method`, `api_key_last4`,
    `api_key_preview`), a leading flag word (`has_password`, `requires_otp`), a Kubernetes Secret's name
    (`k8s_secret`, `image_pull_secret`, and a bare `secret` in a spec that names an `image`, a `registry`
    or a `namespace`, as mlrun's build spec does), and the hash of a random credential (`hashed_api_key`,
    `token_hash`: it can be neither reversed nor presented). A password's hash (`hashed_password`,
    `password_digest`) is still reported: it can be cracked offline. A connection record's password
    (a schema with a host and a login, such as Airflow's `ConnectionResponse` that its execution API hands to
    the worker that connects) is another system's credential, delivered to the one who uses it, like a
    `*Credentials` schema; a settings page that echoes such a password goes unreported too. A
    `client_secret` with no `client_id` next to it is Stripe's client-side secret (a checkout's, a
    payment's: the browser completes the payment with it); an OAuth client's secret is reported. A device's
    push token (`expo_push_token`, `fcm_token`, `device_token`) opens no account. A field typed through an
    `Annotated` alias of `str` is text like `str`; a `field_validator("*")` checks input and redacts nothing.

    A credential (`api_key`, `*_secret`, `*_token`, `private_key`) is not reported in a schema that only
    issuing routes answer with: token endpoints (`/token`, `/login`, `/refresh`, sign-in and sign-up
    paths, matched as whole words: `/signing-keys` is no sign-in) and `POST` routes that create (status
    `201`, or a path or function name with `create`, `generate`, `rotate`, `issue`, `register`, `session`,
    `sign`, `exchange`, or `confirm`, `claim`, `accept`, `verify` that open a session...): the API key, webhook
    secret or generated password (`new_password`, `temporary_password`) shown once,
    when it is made, is the point of that answer. RULES.md names only the token endpoints' tokens; the
    one-time answer at creation is the same case, and a list or read route that repeats the key is still
    reported. A generated password is also not reported from a `POST` route that resets (an admin's
    `/reset_password` answering with the new one); a reset token is. Any other password, its hash, a salt
    or an OTP secret is reported whichever route sends it. Names
    match exactly: `api_key_prefix` is not `api_key`.

    ## Why is this bad?
    Whatever a response schema declares is sent to the client. A password hash sent to the browser can be
    cracked offline; an API key or a reset token in a listing hands out the account. Secrets belong in
    request schemas and table models, never in what a route answers.

    ## Example
    ```python
    from fastapi import FastAPI
    from pydantic import BaseModel

    app = FastAPI()


    class UserOut(BaseModel):
        email: str
        hashed_password: str


    @app.get("/me", response_model=UserOut)
    def me() -> dict: ...
    ```

    ## Use instead
    ```python
    from fastapi import FastAPI
    from pydantic import BaseModel

    app = FastAPI()


    class UserOut(BaseModel):
        email: str


    @app.get("/me", response_model=UserOut)
    def me() -> dict: ...
    ```

    ## Fix safety
    No fix: removing the field changes the API, and `Field(exclude=True)` may hide a field a client needs.
    """

    spec = SPEC

    def table(self) -> dict[str, Any]:
        return leaking_fields(self.ctx.project)

    def on_class(self, node: cst.ClassDef, canonical: str, entry: Any) -> None:
        for field in self.class_fields(node):
            name = field.target.value  # type: ignore[union-attr]
            if name in entry:
                via = last_segment(entry[name])
                where = "" if via == node.name.value else f" (returned as `{via}`)"
                self.report(field, f"Response schema field `{name}` looks like a secret{where}")
