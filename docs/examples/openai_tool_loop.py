#!/usr/bin/env python3
"""An OpenAI tool loop on Alphora Sandbox, over plain HTTP (Python 3 standard library only).

    OPENAI_API_KEY=sk-... python3 openai_tool_loop.py "What is the 30th Fibonacci number? Compute it."

Settings: SANDBOX_URL (http://127.0.0.1:8080), SANDBOX_API_KEY (when the service has API keys),
OPENAI_BASE_URL (https://api.openai.com/v1), OPENAI_MODEL (gpt-4o-mini).
"""
import json
import os
import sys
import urllib.error
import urllib.request

SANDBOX = os.environ.get("SANDBOX_URL", "http://127.0.0.1:8080")
KEY = {"Authorization": f"Bearer {os.environ['SANDBOX_API_KEY']}"} if os.environ.get("SANDBOX_API_KEY") else {}
OPENAI = os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1")
MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


def http(method, url, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=900) as r:
            raw = r.read()
            return json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {url}: HTTP {e.code} {e.read().decode()}")


prompt = sys.argv[1] if len(sys.argv) > 1 else "What is the 30th Fibonacci number? Compute it."
sandbox = http("POST", f"{SANDBOX}/v1/sandboxes", {"name": "openai-agent"}, KEY)["sandbox_id"]
tools = http("GET", f"{SANDBOX}/v1/tools?format=openai", None, KEY)["tools"]  # the 20 tools
messages = [{"role": "system", "content": "You solve tasks by running Python in a sandbox with the tools."},
            {"role": "user", "content": prompt}]
try:
    for _ in range(20):                                                     # at most 20 model turns
        reply = http("POST", f"{OPENAI}/chat/completions",
                     {"model": MODEL, "messages": messages, "tools": tools},
                     {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"})
        message = reply["choices"][0]["message"]
        messages.append(message)                                            # the assistant turn, as is
        if not message.get("tool_calls"):
            print(message["content"])
            break
        for tool_call in message["tool_calls"]:                             # forward each call unchanged
            answer = http("POST", f"{SANDBOX}/v1/tools/call", {"sandbox_id": sandbox, "tool_call": tool_call}, KEY)
            print(f"[{tool_call['function']['name']}] success={answer['result']['success']}", file=sys.stderr)
            messages.append(answer["message"])                              # {role: tool, tool_call_id, content}
finally:
    http("DELETE", f"{SANDBOX}/v1/sandboxes/{sandbox}", None, KEY)
