// Livy's client, job following and submission, loaded on the first job (its own bundle,
// dist/chunks/livy.js, loaded by clusters/LivyConnections.ts): most sessions never submit one.
export { LivyClient } from '../livy/LivyClient';
export { LivyJob } from '../livy/LivyJob';
export { SessionPool, submit } from '../livy/submit';
export { YarnDriverLog } from '../livy/yarnDriverLog';
export { followKafkaLag } from '../livy/kafkaLag';
