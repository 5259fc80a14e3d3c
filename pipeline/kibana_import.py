"""`wirestream kibana import`: the saved objects and the example rule into a running Kibana, through
its HTTP API (saved objects imported with overwrite; the rule created, or updated when it exists)."""

from __future__ import annotations

import base64
import json
import re
import ssl
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from pipeline.errors import UserError
from pipeline.kibana import rendered

RULE_ID = "wirestream-keyword-example"
#: What Kibana answers (or logs) when its alerting API is off for want of a saved-objects encryption
#: key: "Unable to create alerts client because the Encrypted Saved Objects plugin is missing
#: encryption key. Please set xpack.encryptedSavedObjects.encryptionKey ...".
_MISSING_ENCRYPTION_KEY = re.compile(
    r"missing encryption key|encryptedSavedObjects|Encrypted Saved Objects|"
    r"create (alerts|rules|actions) client",
    re.IGNORECASE,
)
ENCRYPTION_KEY_FIX = (
    "set XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY (32+ characters, e.g. `openssl rand -hex 32`) in "
    "Kibana's environment (compose: KIBANA_ENCRYPTION_KEY in deploy/.env) and restart Kibana"
)


class KibanaAPI:
    """Kibana's HTTP API with its CSRF header, and an Elasticsearch API key or basic auth (Kibana
    checks either against Elasticsearch); over https, trusting ``ca_file`` when given."""

    def __init__(
        self,
        url: str,
        username: str | None = None,
        password: str | None = None,
        api_key: str | None = None,
        ca_file: Path | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self.headers = {"kbn-xsrf": "wirestream"}
        if api_key:
            self.headers["Authorization"] = f"ApiKey {api_key}"
        elif username and password:
            token = base64.b64encode(f"{username}:{password}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"
        self.context = ssl.create_default_context(cafile=str(ca_file)) if ca_file else None

    def call(self, method: str, path: str, body: bytes, content_type: str) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.url + path, data=body, method=method, headers={**self.headers, "Content-Type": content_type}
        )
        try:
            with urllib.request.urlopen(request, timeout=60, context=self.context) as response:
                return response.status, _parsed(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _parsed(exc.read())
        except urllib.error.URLError as exc:
            raise UserError(f"cannot reach Kibana at {self.url}: {exc.reason}") from exc

    def import_objects(self, ndjson: bytes) -> dict[str, Any]:
        """The saved objects API's import, overwriting what is there."""
        boundary = uuid.uuid4().hex
        form = (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="file"; filename="saved-objects.ndjson"\r\n'
                "Content-Type: application/ndjson\r\n\r\n"
            ).encode()
            + ndjson
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, imported = self.call(
            "POST",
            "/api/saved_objects/_import?overwrite=true",
            form,
            f"multipart/form-data; boundary={boundary}",
        )
        if status != 200 or not imported.get("success", False):
            raise UserError(
                f"Kibana refused the saved objects (HTTP {status}): {json.dumps(imported)[:2000]}"
            )
        return dict(imported)

    def put_rule(self, rule_id: str, rule: dict[str, Any]) -> None:
        """Create the rule, or update what an update may change when it exists."""
        status, created = self.call(
            "POST", f"/api/alerting/rule/{rule_id}", json.dumps(rule).encode(), "application/json"
        )
        if status == 409:
            update = {k: rule[k] for k in ("name", "tags", "schedule", "params", "actions")}
            status, created = self.call(
                "PUT", f"/api/alerting/rule/{rule_id}", json.dumps(update).encode(), "application/json"
            )
        if status not in (200, 201):
            answer = json.dumps(created)[:2000]
            if _MISSING_ENCRYPTION_KEY.search(answer):
                raise UserError(
                    "Kibana's alerting API is off: Kibana has no encryption key for saved objects, so "
                    f"the rule cannot be created; {ENCRYPTION_KEY_FIX} (Kibana said, HTTP {status}: {answer})"
                )
            hint = (
                " (if Kibana's log says the Encrypted Saved Objects plugin is missing encryption key: "
                f"{ENCRYPTION_KEY_FIX})"
                if status == 500
                else ""
            )
            raise UserError(f"Kibana refused the rule (HTTP {status}): {answer}{hint}")


def _parsed(body: bytes) -> Any:
    """Kibana's JSON answer; a body that is not JSON (a proxy's error page) as its text."""
    try:
        return json.loads(body or b"{}")
    except ValueError:
        return {"message": body.decode("utf-8", "replace")[:2000]}


def bootstrap(
    url: str,
    directory: Path | None = None,
    username: str | None = None,
    password: str | None = None,
    api_key: str | None = None,
    ca_file: Path | None = None,
) -> dict[str, Any]:
    """Import the saved objects (overwriting) and create or update the example rule in a running
    Kibana, from ``directory`` or, by default, as generated here (the container image has no
    deploy/ folder). Returns what Kibana said; raises UserError when Kibana refuses."""
    files = (
        {name: (directory / name).read_text(encoding="utf-8") for name in rendered()}
        if directory is not None
        else rendered()
    )
    kibana = KibanaAPI(url, username, password, api_key, ca_file)
    imported = kibana.import_objects(files["saved-objects.ndjson"].encode())
    kibana.put_rule(RULE_ID, json.loads(files["rule-keyword.json"]))
    return {"saved_objects": imported.get("successCount", 0), "rule": RULE_ID}
