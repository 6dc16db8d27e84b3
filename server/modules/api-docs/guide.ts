// The guide at the top of the API reference: how a script signs in with a personal API token,
// with example requests in R (httr2) and Python (requests). The examples are data: the reference
// shows them (also beside their operation), and tests/api/api-docs.test.ts runs every one of them,
// the Python ones verbatim, so a documented example cannot stop working unnoticed.

export interface ApiExample {
  id: string;
  title: string;
  method: 'get';
  /** OpenAPI path of the operation the example calls. */
  path: string;
  /** Environment variables the example reads besides ACTIVEGROUPS_URL and ACTIVEGROUPS_TOKEN. */
  inputs: string[];
  r: string;
  python: string;
}

const rSetup = `library(httr2)
base  <- Sys.getenv("ACTIVEGROUPS_URL")    # e.g. "https://activegroups.example.org"
token <- Sys.getenv("ACTIVEGROUPS_TOKEN")  # keep the token out of scripts you share`;

const pythonSetup = `import os
import requests

BASE = os.environ["ACTIVEGROUPS_URL"]  # e.g. "https://activegroups.example.org"
api = requests.Session()
# Keep the token out of scripts you share: read it from the environment.
api.headers["Authorization"] = f"Bearer {os.environ['ACTIVEGROUPS_TOKEN']}"`;

export const apiExamples: ApiExample[] = [
  {
    id: 'list-programmes',
    title: 'List the programmes you can see',
    method: 'get',
    path: '/api/v1/programmes',
    inputs: [],
    r: `${rSetup}

programmes <- request(base) |>
  req_url_path_append("api/v1/programmes") |>
  req_auth_bearer_token(token) |>
  req_perform() |>
  resp_body_json()
for (p in programmes$items) cat(p$id, p$name, "\\n")`,
    python: `${pythonSetup}

response = api.get(f"{BASE}/api/v1/programmes", timeout=30)
response.raise_for_status()
for programme in response.json()["items"]:
    print(programme["id"], programme["name"])`,
  },
  {
    id: 'long-csv',
    title: 'Download the long CSV of a programme (researchers)',
    method: 'get',
    path: '/api/v1/exports/{format}',
    inputs: ['PROGRAMME_ID'],
    r: `${rSetup}

request(base) |>
  req_url_path_append("api/v1/exports/long.csv") |>
  req_url_query(programmeIds = Sys.getenv("PROGRAMME_ID")) |>
  req_auth_bearer_token(token) |>
  req_perform(path = "long.csv")
long <- read.csv("long.csv", encoding = "UTF-8")`,
    python: `${pythonSetup}

params = {"programmeIds": os.environ["PROGRAMME_ID"]}
with api.get(f"{BASE}/api/v1/exports/long.csv", params=params, stream=True, timeout=300) as response:
    response.raise_for_status()
    with open("long.csv", "wb") as file:
        for chunk in response.iter_content(chunk_size=65536):
            file.write(chunk)
print("saved long.csv")`,
  },
  {
    id: 'results',
    title: 'Pre/post results of a programme for one instrument (researchers)',
    method: 'get',
    path: '/api/v1/results/programmes/{id}',
    inputs: ['PROGRAMME_ID'],
    r: `${rSetup}

results <- request(base) |>
  req_url_path_append("api/v1/results/programmes", Sys.getenv("PROGRAMME_ID")) |>
  req_url_query(instrument = "SCARED") |>
  req_auth_bearer_token(token) |>
  req_error(body = function(resp) resp_body_json(resp)$error$message) |>
  req_perform() |>
  resp_body_json()
str(results, max.level = 1)`,
    python: `${pythonSetup}

url = f"{BASE}/api/v1/results/programmes/{os.environ['PROGRAMME_ID']}"
response = api.get(url, params={"instrument": "SCARED"}, timeout=60)
if not response.ok:
    error = response.json()["error"]
    raise SystemExit(f"{response.status_code} {error['code']}: {error['message']}")
print(sorted(response.json().keys()))`,
  },
];

/** Samples shown beside an operation (Scalar and Redoc read `x-codeSamples`). */
export function codeSamplesFor(method: string, path: string) {
  return apiExamples
    .filter((e) => e.method === method && e.path === path)
    .flatMap((e) => [
      { lang: 'R', label: `R (httr2): ${e.title}`, source: e.r },
      { lang: 'Python', label: `Python (requests): ${e.title}`, source: e.python },
    ]);
}

export function apiGuideMarkdown(serverUrl: string): string {
  const examples = apiExamples
    .map((e) => `### ${e.title}\n\nR (httr2):\n\n\`\`\`r\n${e.r}\n\`\`\`\n\nPython (requests):\n\n\`\`\`python\n${e.python}\n\`\`\``)
    .join('\n\n');
  return `Everything the ActiveGroups web app does goes through this API. Scripts — R or Python
pulling results and exports, a school system pushing rosters — use it with a **personal API token**.

## Authentication with an API token

1. Sign in to ActiveGroups, open **API tokens** in the menu and create a token. Give it a name
   (what the script is for) and a lifetime (at most one year). The token is shown **once**: copy it
   into your script's environment, e.g. \`ACTIVEGROUPS_TOKEN\`, never into the script itself.
2. Send it with every request: \`Authorization: Bearer <token>\`. Set \`ACTIVEGROUPS_URL\` to
   \`${serverUrl}\`.
3. A token acts as you: same role, same schools. Data of other schools is refused (403), and when
   your role or schools change, the token follows. Requests with a token need no CSRF header.
4. Revoke a token on the same page when a script no longer needs it. Creating, revoking and the first
   use of a token are written to the audit trail.

A refused token gets **401** with a code that says why: \`token_invalid\`, \`token_expired\`,
\`token_revoked\` or \`token_user_inactive\`. Too many requests get **429** \`rate_limited\`; wait as
the \`RateLimit\` headers say.

Every error has the same shape: \`{"error": {"code": "…", "message": "…", "details": …}}\`. Each
operation below lists the codes it can return.

## Examples

${examples}`;
}
