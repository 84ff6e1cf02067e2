/** Every scenario, in run order; cluster scenarios run only when named (run.ts). */
import { clusterCapacityScenario } from './cluster-capacity.js';
import { clusterFanoutScenario } from './cluster-fanout.js';
import { coldLoadScenario } from './cold-load.js';
import { fanoutScenario } from './fanout.js';
import { floodScenario } from './flood.js';
import { httpFallbackScenario } from './http-fallback.js';
import { hotDocScenario } from './hot-doc.js';
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
  httpFallbackScenario,
  hotDocScenario,
  clusterCapacityScenario,
  clusterFanoutScenario,
];
