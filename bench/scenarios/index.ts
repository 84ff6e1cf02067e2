/** Every scenario, in run order. */
import { coldLoadScenario } from './cold-load.js';
import { fanoutScenario } from './fanout.js';
import { idleScenario } from './idle.js';
import type { Scenario } from './scenario.js';
import { throughputScenario } from './throughput.js';

export const SCENARIOS: readonly Scenario[] = [fanoutScenario, throughputScenario, idleScenario, coldLoadScenario];
