// Broker discovery through Ambari, loaded on the first Kafka connection or discovery (its own
// bundle, dist/chunks/ambari.js): the tree's first rows never need it.
export { discoverBrokers } from '../ambari/discovery';
