import { DEFAULT_HOST } from './constants';
import type { TelApiSimulatorOptions } from './options';
import { TelApiSimulator } from './simulator';

export function createSimulator(options: TelApiSimulatorOptions = {}): TelApiSimulator {
  return new TelApiSimulator(options);
}

/** Creates a simulator and starts it listening (port 0: any free port). */
export async function startSimulator(options: TelApiSimulatorOptions & { port?: number; host?: string } = {}): Promise<TelApiSimulator> {
  const { port, host, ...simulatorOptions } = options;
  const simulator = new TelApiSimulator(simulatorOptions);
  await simulator.listen(port ?? 0, host ?? DEFAULT_HOST);
  return simulator;
}
