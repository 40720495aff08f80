// k6 script of the replay harness (ci/replay.py generate). Traffic goes only to BASE_URL, a local
// ci/fixtures/server.py on 127.0.0.1.
//
// Five endpoints per iteration, including GET /api/users/list, the look-alike control of the
// borderline endpoint GET /api/users. Every request is tagged with its `name`; the thresholds below
// exist only so that --summary-export carries per-endpoint submetrics (the summary has no
// per-endpoint data otherwise). They are loose on purpose: perfgate decides, not k6.
//
// Env: BASE_URL (required), DURATION (default 14s), VUS (default 15).
import http from 'k6/http';
import { check, sleep } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';

const ENDPOINTS = [
  ['GET', '/api/users'],
  ['GET', '/api/products'],
  ['POST', '/api/orders'],
  ['GET', '/api/search'],
  ['GET', '/api/users/list'],
];

const thresholds = {};
for (const [method, name] of ENDPOINTS) {
  // The same {name, method} suffix on the three metrics, so perfgate can pair them per endpoint
  // (latency, request count and throughput, error rate): endpoint "GET /api/users".
  const sel = `{name:${name},method:${method}}`;
  thresholds[`http_req_duration${sel}`] = ['p(95)<5000'];
  thresholds[`http_reqs${sel}`] = ['count>0'];
  thresholds[`http_req_failed${sel}`] = ['rate<0.5'];
}

export const options = {
  vus: parseInt(__ENV.VUS || '15', 10),
  duration: __ENV.DURATION || '14s',
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
  thresholds,
};

function ok(res) {
  return check(res, { 'status is 200': (r) => r.status === 200 });
}

export default function () {
  const tags = (name) => ({ tags: { name } });
  ok(http.get(`${BASE_URL}/api/users`, tags('/api/users')));
  ok(http.get(`${BASE_URL}/api/products`, tags('/api/products')));
  ok(http.post(`${BASE_URL}/api/orders`, JSON.stringify({ product: 1, qty: 2 }), {
    headers: { 'Content-Type': 'application/json' },
    tags: { name: '/api/orders' },
  }));
  ok(http.get(`${BASE_URL}/api/search?q=widget`, tags('/api/search')));
  ok(http.get(`${BASE_URL}/api/users/list`, tags('/api/users/list')));
  sleep(0.1);
}
