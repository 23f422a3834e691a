// The administrator's API (behind an administrator's access token, checked in auth-router.ts):
// register and list client applications and user accounts, and rotate the signing key.
// The same operations are on the command line: `npm run admin -- ...` (server/admin.ts).
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { notFound } from '../outcomes';
import { publicClient, publicUser, registerClient, registerUser, type NewClient, type NewUser } from './accounts';
import type { AuthContext } from './auth-context';

type Handler = (req: Request, res: Response) => Promise<void>;
const run = (handler: Handler) => (req: Request, res: Response, next: NextFunction): void => {
  handler(req, res).catch(next);
};

export function adminRoutes(context: AuthContext): Router {
  const router = express.Router();
  router.get('/clients', run(async (_req, res) => {
    res.json((await context.store.listClients()).map(publicClient));
  }));
  router.post('/clients', run(async (req, res) => {
    const { client, secret } = await registerClient(context.store, req.body as NewClient);
    context.logger.info({ clientId: client.clientId, type: client.type }, 'client registered');
    res.status(201).set('Cache-Control', 'no-store').json({ ...publicClient(client), ...(secret ? { secret } : {}) });
  }));
  router.delete('/clients/:id', run(async (req, res) => {
    if (!(await context.store.deleteClient(String(req.params.id)))) {
      throw notFound(`No client ${String(req.params.id)}`);
    }
    res.status(204).end();
  }));
  router.get('/users', run(async (_req, res) => {
    res.json((await context.store.listUsers()).map(publicUser));
  }));
  router.post('/users', run(async (req, res) => {
    const { user, password } = await registerUser(context.store, req.body as NewUser);
    context.logger.info({ account: user.account, roles: user.roles }, 'user registered');
    res.status(201).set('Cache-Control', 'no-store').json({ ...publicUser(user), password });
  }));
  router.post('/keys/rotate', run(async (_req, res) => {
    const kid = context.keys.rotate();
    context.logger.info({ kid }, 'signing key rotated');
    res.status(200).json({ kid });
  }));
  return router;
}
