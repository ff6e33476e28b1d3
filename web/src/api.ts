/** HTTP access to the service, with the API key the dashboard was opened with. */

const API_KEY_STORAGE = "xmargin.apiKey";

/** The API key: given once as /?key=..., then kept in this browser's storage and removed from the address bar. */
function readApiKey(): string {
  const params = new URLSearchParams(location.search);
  const given = params.get("key");
  if (given) {
    localStorage.setItem(API_KEY_STORAGE, given);
    params.delete("key");
    const rest = params.toString();
    history.replaceState(null, "", `${location.pathname}${rest ? `?${rest}` : ""}${location.hash}`);
  }
  return localStorage.getItem(API_KEY_STORAGE) ?? "";
}

export const API_KEY = readApiKey();

/** An error answer of the API: its message and, when the service named one, the JSON path of the bad field. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly path?: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (API_KEY) headers["x-api-key"] = API_KEY;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401)
    throw new ApiError("this service needs an API key: open the dashboard as /?key=YOUR_KEY", 401);
  const body = (await res.json()) as { error?: { message?: string; path?: string } };
  if (!res.ok) throw new ApiError(body.error?.message ?? `HTTP ${res.status}`, res.status, body.error?.path);
  return body as T;
}

export const getJson = <T>(path: string): Promise<T> => call<T>(path);
export const postJson = <T>(path: string, body: unknown): Promise<T> =>
  call<T>(path, { method: "POST", body: JSON.stringify(body) });

/** `/v1/accounts/<id>` with the id escaped. */
export const accountPath = (id: string, rest = ""): string => `/v1/accounts/${encodeURIComponent(id)}${rest}`;
