// The REST API, as the pages call it: the session cookie authenticates, and state-changing requests carry the
// anti-forgery token the session endpoint hands out (X-CSRF-TOKEN). Errors are problem details.

let csrf = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** The signed-in caller ({tenant, role, key_id, expires, csrf_token}) or null. */
export async function session() {
  const r = await fetch('/api/v1/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (!r.ok) return null;
  const s = await r.json();
  csrf = s.csrf_token;
  return s;
}

/** Calls /api/v1{path}; answers parsed JSON (or the Response with raw: true). A lost session goes to sign-in. */
export async function api(path, { method = 'GET', body, type, raw = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (type) headers['Content-Type'] = type;
  if (method !== 'GET' && method !== 'HEAD') {
    if (!csrf) await session();
    headers['X-CSRF-TOKEN'] = csrf ?? '';
  }
  const r = await fetch('/api/v1' + path, { method, body, headers, credentials: 'same-origin' });
  if (r.status === 401) {
    location.assign('/signin?return_url=' + encodeURIComponent(location.pathname + location.search));
    throw new ApiError(401, { title: 'Signed out', detail: 'the session ended; sign in again' });
  }
  if (!r.ok) {
    let problem = null;
    try { problem = await r.json(); } catch { /* not JSON */ }
    throw new ApiError(r.status, problem);
  }
  if (raw) return r;
  return r.status === 204 ? null : r.json();
}

export async function signOut() {
  await api('/session', { method: 'DELETE' });
  location.assign('/signin');
}

/** Query string from an object; arrays repeat the key, empty values are left out. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach(x => q.append(k, x));
    else if (v !== undefined && v !== null && v !== '') q.append(k, v);
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
