// kafkajs, loaded on first use (its own bundle, dist/chunks/kafka.js): the Kafka service of
// src/kafka/KafkajsService.ts.
export { createKafkaService } from '../kafka/KafkajsService';
