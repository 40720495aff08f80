// The README's quick-start k6 test (ci/quickstart.sh runs the README's commands with it).
// Name every request (tags.name): perfgate keeps one series per name, so /api/orders/42 and
// /api/orders/43 are one endpoint. BASE_URL is the system under test.
import http from 'k6/http';
import { check, sleep } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';

export const options = { vus: 10, duration: '20s' };

export default function () {
  const get = (path, name) => http.get(`${BASE_URL}${path}`, { tags: { name } });
  check(get('/api/users', '/api/users'), { 'users 200': (r) => r.status === 200 });
  check(get('/api/products', '/api/products'), { 'products 200': (r) => r.status === 200 });
  const order = http.post(`${BASE_URL}/api/orders`, JSON.stringify({ product: 1, qty: 2 }), {
    headers: { 'Content-Type': 'application/json' },
    tags: { name: '/api/orders' },
  });
  check(order, { 'order 200': (r) => r.status === 200 });
  check(get('/api/search?q=widget', '/api/search'), { 'search 200': (r) => r.status === 200 });
  sleep(0.3);
}
