// Reading the Kafka brokers a job's code names, loaded when a job is submitted (its own bundle,
// dist/chunks/preflight.js, loaded by jobs/JobRegistry.ts): activation never pays for the parser.
export { brokersNamedIn, sameBroker } from '../preflight/streamingPreflight';
