// The whole standalone launch as a person and an app live it: SMART's own client library (fhirclient)
// in a small app server, and Debian's chromium driven by playwright-core through our login and consent
// pages. The login page's screenshot is docs/images/smart-login.png (refreshed with UPDATE_SCREENSHOTS=1).
import express from 'express';
import fs from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { strict as assert } from 'node:assert';
import pino from 'pino';
import { chromium } from 'playwright-core';
import smart from 'fhirclient/lib/entry/node';
import { registerClient, registerUser } from '../../server/auth/accounts';
import { createAuthServer } from '../../server/auth/auth-server';
import { createApp } from '../../server/app';
import { loadGeneratedPatients, testKeyRing, testPassword } from '../helpers/auth';
import { memoryStore, testConfig, testRegistry } from '../helpers/test-server';

const chromiumPath = '/usr/bin/chromium';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

describe('standalone launch in a browser, with fhirclient', function () {
  this.timeout(120_000);

  it('signs in, approves, and the app reads the patient with the token it obtained', async function () {
    if (!fs.existsSync(chromiumPath)) {
      this.skip();
    }
    const store = memoryStore();
    const fhirServer = http.createServer();
    const appServer = http.createServer();
    const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const fhirBase = `http://127.0.0.1:${await listen(fhirServer)}`;
      const appBase = `http://127.0.0.1:${await listen(appServer)}`;
      await loadGeneratedPatients(store, 2);
      const authStore = store.authStore();
      await registerUser(authStore, { account: 'pat-0', displayName: '王女士', password: testPassword, fhirUser: 'Patient/pat-0', roles: ['patient'] });
      await registerClient(authStore, {
        clientId: 'browser-app', name: '居民健康 App', type: 'public', redirectUris: [`${appBase}/callback`],
        scopes: ['launch/patient', 'openid', 'fhirUser', 'patient/*.rs', 'offline_access'],
      });
      const logger = pino({ level: 'silent' });
      const auth = createAuthServer({ store: authStore, resources: store, keys: testKeyRing(), baseUrl: fhirBase, logger, limits: { login: 100, token: 100, accountLogin: 100 } });
      fhirServer.on('request', createApp({ config: { ...testConfig, baseUrl: fhirBase }, store, registry: testRegistry(), logger, auth }));

      // The app: fhirclient keeps its state in a session; one user here, so one object.
      const session: Record<string, unknown> = {};
      const app = express();
      const withSession = (req: express.Request): express.Request => Object.assign(req, { session });
      app.get('/launch', (req, res, next) => {
        smart(withSession(req), res)
          .authorize({ clientId: 'browser-app', scope: 'launch/patient openid fhirUser patient/*.rs offline_access', redirectUri: '/callback', iss: fhirBase })
          .catch(next);
      });
      app.get('/callback', (req, res, next) => {
        smart(withSession(req), res)
          .ready()
          .then(async (client) => {
            const patient = (await client.request(`Patient/${client.patient.id}`)) as { id: string };
            res.type('html').send(`<p id="done">${patient.id} ${client.getFhirUser()} ${client.state.tokenResponse?.refresh_token ? 'refresh' : ''}</p>`);
          })
          .catch(next);
      });
      appServer.on('request', app);

      const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN' });
      await page.goto(`${appBase}/launch`);
      await page.waitForSelector('input[name="password"]');
      assert.ok(page.url().startsWith(`${fhirBase}/auth/authorize?`), page.url());
      assert.match(page.url(), /code_challenge_method=S256/);
      const screenshot = process.env.UPDATE_SCREENSHOTS ? path.join(__dirname, '../../../docs/images/smart-login.png') : path.join(os.tmpdir(), 'smart-login.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      await page.fill('#username', 'pat-0');
      await page.fill('#password', testPassword);
      await Promise.all([page.waitForSelector('button[value="approve"]'), page.click('button[type="submit"]')]);
      await Promise.all([page.waitForSelector('#done'), page.click('button[value="approve"]')]);
      assert.equal(await page.textContent('#done'), 'pat-0 Patient/pat-0 refresh');
      assert.ok(page.url().startsWith(`${appBase}/callback?code=`), page.url());
    } finally {
      await browser.close();
      fhirServer.close();
      appServer.close();
      await store.close();
    }
  });
});
