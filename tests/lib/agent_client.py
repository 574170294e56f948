"""Signs a request to a dmsconn agent as the coordinator does (docs/security.md): the token
never travels; the MAC is HMAC-SHA-256(token, "dmsconn-request-v2\\n" METHOD "\\n" PATH "\\n"
NODE "\\n" DATE "\\n" NONCE "\\n" hex(SHA-256(body))), NODE the node of the agent the request is
for (sent as X-Dmsconn-Node). Written here from that description, so a test
that passes proves the C side follows it."""
import hashlib
import hmac
import os
import time


def signed_headers(token, method, path, body=b"", date=None, nonce=None, node=None):
    """node: the agent's node name (None: an old, version 1 request without it)."""
    date = str(int(time.time()) if date is None else date)
    nonce = nonce or os.urandom(16).hex()
    content = hashlib.sha256(body).hexdigest()
    if node is None:
        canonical = "\n".join(["dmsconn-request-v1", method, path, date, nonce, content])
    else:
        canonical = "\n".join(["dmsconn-request-v2", method, path, node, date, nonce, content])
    mac = hmac.new(token.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    headers = {"X-Dmsconn-Date": date, "X-Dmsconn-Nonce": nonce,
               "X-Dmsconn-Content-SHA256": content, "Authorization": f"DMSCONN-HMAC-SHA256 {mac}"}
    if node is not None:
        headers["X-Dmsconn-Node"] = node
    return headers
