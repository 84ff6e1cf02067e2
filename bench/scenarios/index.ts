/** Every scenario, in run order. */
import { coldLoadScenario } from './cold-load.js';
import { fanoutScenario } from './fanout.js';
import { floodScenario } from './flood.js';
import { idleScenario } from './idle.js';
import { joinStormScenario } from './join-storm.js';
import type { Scenario } from './scenario.js';
import { throughputScenario } from './throughput.js';

export const SCENARIOS: readonly Scenario[] = [
  fanoutScenario,
  throughputScenario,
  idleScenario,
  coldLoadScenario,
  floodScenario,
  joinStormScenario,
];
