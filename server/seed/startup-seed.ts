// Start-up seeding: on an empty store, loads the network's structure and a small patient set (seed/)
// through the FHIR core's transaction interaction, so the seed is validated and indexed like any
// client's data. Once only: the lead internet hospital is written last and marks a complete seed; a
// store that already holds other data is left alone. Called by main.ts, never by the app factory, so
// tests and the benchmark start empty.
import type { Logger } from 'pino';
import { inTransactions } from '../../seed/bundles';
import { coreSink, inProcess, seedCompleteMarker, seedResources, seedStartedMarker } from '../../seed/load';
import { replayHomeCare } from '../../seed/workflows/homecare-replay';
import type { FhirCore } from '../fhir-core';
import { replayPharmacyWorkflow } from '../../seed/workflows/pharmacy-replay';

export interface StartupSeedOptions {
  patients: number;
  /** The generator's seed value: the same value gives the same patients. */
  seedValue: number;
}

export type StartupSeedOutcome =
  | { outcome: 'already-seeded' }
  | { outcome: 'store-not-empty' }
  | { outcome: 'seeded'; resources: number; seconds: number };

export async function seedOnStartup(core: FhirCore, logger: Logger, options: StartupSeedOptions): Promise<StartupSeedOutcome> {
  const exists = async (type: string, id: string): Promise<boolean> => (await get(core, logger, `${type}/${id}`)).status === 200;
  if (await exists(seedCompleteMarker.resourceType, seedCompleteMarker.id)) {
    logger.info('seed: the network is already loaded; nothing written');
    return { outcome: 'already-seeded' };
  }
  const resumed = await exists(seedStartedMarker.resourceType, seedStartedMarker.id);
  if (!resumed && ((await holdsAny(core, logger, 'Patient')) || (await holdsAny(core, logger, 'Organization')))) {
    logger.warn('seed: the store already holds patients or organizations that are not the seed; not seeding (set FHIR_SEED=off to silence this)');
    return { outcome: 'store-not-empty' };
  }
  const started = performance.now();
  logger.info({ patients: options.patients, resumed }, 'seed: loading the network and its patients');
  const send = coreSink(core, logger);
  let resources = 0;
  let lastLogged = started;
  for (const bundle of inTransactions(seedResources(options.patients, options.seedValue))) {
    resources += await send(bundle);
    if (performance.now() - lastLogged > 5000) {
      lastLogged = performance.now();
      logger.info({ resources }, 'seed: loading');
    }
  }
  logger.info({ ...(await replayPharmacyWorkflow(core, logger, options)) }, 'seed: the cloud-pharmacy workflow replayed through the API');
  // The home-care workflow replayed through the API (logged on its own; `resources` counts the seed's lists).
  await replayHomeCare(core, logger, options);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  logger.info({ resources, seconds }, 'seed: the network and its patients are loaded');
  return { outcome: 'seeded', resources, seconds };
}

function get(core: FhirCore, logger: Logger, path: string, query = ''): ReturnType<FhirCore['handle']> {
  return inProcess(core, logger, { method: 'GET', path, query, headers: {} });
}

async function holdsAny(core: FhirCore, logger: Logger, type: string): Promise<boolean> {
  const reply = await get(core, logger, type, '_count=1&_elements=id');
  const entries = (reply.body as { entry?: { search?: { mode?: string } }[] } | undefined)?.entry ?? [];
  return entries.some((e) => e.search?.mode !== 'outcome');
}
