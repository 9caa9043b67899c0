import type { ServeConfig } from '../cli-config.js';
import { createFileSink } from './file-sink.js';
import type { Sink } from './sink.js';

/** Builds the sink a configuration names. Kafka's client is loaded only when it is used. */
export async function createSink(config: ServeConfig['sink']): Promise<Sink> {
  if (config.type === 'file') {
    return createFileSink({ dir: config.dir, durability: config.durability, ...(config.instanceId !== undefined ? { instanceId: config.instanceId } : {}) });
  }
  const { createKafkaSink } = await import('./kafka-sink.js');
  return createKafkaSink(config);
}
