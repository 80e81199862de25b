// The MQTT connection over WebSockets (mqtt.js). Subscribes only to what views ask for, through
// reference counts, and routes each message by family: measurements to the LiveStore, acks and
// system events to their listeners. Every (re)connect subscribes to the active topics again.
import mqtt, { type MqttClient } from 'mqtt';
import {
  decodeAck, decodeServiceStatus, decodeTopologyChanged, parseTopic, SERVICES_STATUS_FILTER, TOPOLOGY_CHANGED_TOPIC,
  type Ack, type TopologyChanged,
} from './contract';
import { LiveStore, SubscriptionCounter, type ValueType } from './live';

export type BusState = 'connecting' | 'online' | 'offline';

export class Bus {
  readonly store: LiveStore;
  private client: MqttClient | null = null;
  private counter = new SubscriptionCounter();
  private ackListeners = new Set<(a: Ack, topic: string) => void>();
  private topologyListeners = new Set<(e: TopologyChanged | null) => void>();
  private stateListeners = new Set<() => void>();
  private state_: BusState = 'connecting';
  private services_: Record<string, 'ONLINE' | 'OFFLINE'> = {};
  private serviceListeners = new Set<() => void>();
  private connectedOnce = false;

  constructor(store: LiveStore) { this.store = store; }

  connect(url: string): void {
    const c = mqtt.connect(url, {
      clientId: `ems-hmi-${Math.random().toString(16).slice(2, 10)}`,
      clean: true,
      reconnectPeriod: 2000,
      connectTimeout: 5000,
      // the active topics are resubscribed below on every connect, from the reference counts
      resubscribe: false,
      protocolVersion: 4,
    });
    this.client = c;
    c.on('connect', () => {
      this.setState('online');
      // system events are QoS 1 and never retained: always listened to
      c.subscribe(TOPOLOGY_CHANGED_TOPIC, { qos: 1 });
      // every service's liveness (retained, OFFLINE is its last will): shown in the header
      c.subscribe(SERVICES_STATUS_FILTER, { qos: 1 });
      // every topic a view watches, including those watched while the connection was down
      const topics = this.counter.active();
      if (topics.length) c.subscribe(topics, { qos: 1 });
      // after a reconnect, events may have been missed: the topology is fetched again
      if (this.connectedOnce) this.topologyListeners.forEach((l) => l(null));
      this.connectedOnce = true;
    });
    c.on('close', () => this.setState('offline'));
    c.on('offline', () => this.setState('offline'));
    c.on('error', () => this.setState('offline'));
    c.on('message', (topic, payload) => this.route(topic, payload.toString()));
  }

  disconnect(): void { this.client?.end(true); this.client = null; }

  state(): BusState { return this.state_; }
  onState(l: () => void): () => void { this.stateListeners.add(l); return () => this.stateListeners.delete(l); }
  onAck(l: (a: Ack, topic: string) => void): () => void { this.ackListeners.add(l); return () => this.ackListeners.delete(l); }
  onTopologyChanged(l: (e: TopologyChanged | null) => void): () => void {
    this.topologyListeners.add(l);
    return () => this.topologyListeners.delete(l);
  }

  /** Last status of each service that announced one (services/{id}/status). */
  services(): Record<string, 'ONLINE' | 'OFFLINE'> { return this.services_; }
  onServices(l: () => void): () => void { this.serviceListeners.add(l); return () => this.serviceListeners.delete(l); }

  /** Subscribes to these topics while the returned function has not been called. */
  watch(topics: readonly { topic: string; type?: ValueType }[]): () => void {
    for (const t of topics) if (t.type) this.store.setType(t.topic, t.type);
    const names = topics.map((t) => t.topic);
    const fresh = this.counter.add(names);
    // QoS 1 on the subscription: acks are QoS 1; measurements are published QoS 0 (min wins)
    if (fresh.length && this.client?.connected) this.client.subscribe(fresh, { qos: 1 });
    return () => {
      const gone = this.counter.remove(names);
      if (gone.length && this.client?.connected) this.client.unsubscribe(gone);
    };
  }

  subscribedTopics(): string[] { return this.counter.active(); }

  publish(topic: string, payload: string): Promise<void> {
    const c = this.client;
    if (!c || !c.connected) return Promise.reject(new Error('not connected to the broker'));
    return new Promise((resolve, reject) =>
      c.publish(topic, payload, { qos: 1, retain: false }, (err) => (err ? reject(err) : resolve())),
    );
  }

  private route(topic: string, payload: string): void {
    if (topic === TOPOLOGY_CHANGED_TOPIC) {
      const d = decodeTopologyChanged(payload);
      if (!d.ok) { this.store.reject(topic, d.error); return; }
      this.topologyListeners.forEach((l) => l(d.value));
      return;
    }
    const t = parseTopic(topic);
    if (t?.family === 'services') {
      if (payload === '') return; // a cleared retained status
      const d = decodeServiceStatus(payload);
      if (!d.ok) { this.store.reject(topic, d.error); return; }
      this.services_ = { ...this.services_, [t.service]: d.value.value };
      this.serviceListeners.forEach((l) => l());
      return;
    }
    if (t?.family === 'acks') {
      const d = decodeAck(payload);
      if (!d.ok) { this.store.reject(topic, d.error); return; }
      this.ackListeners.forEach((l) => l(d.value, topic));
      return;
    }
    this.store.ingest(topic, payload);
  }

  private setState(s: BusState): void {
    if (s === this.state_) return;
    this.state_ = s;
    this.stateListeners.forEach((l) => l());
  }
}
