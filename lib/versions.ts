/** Versions of the kit and of the packages a result depends on, recorded with every run. */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KIT_ROOT } from './paths';

/** Versions recorded in run folders and printed by `mmckd info`. */
export interface KitVersions {
  kit: string;
  tfjs: string;
  node: string;
  platform: string;
}

/** Returns the kit's version (package.json), TensorFlow.js's, Node's and the platform. */
export function kitVersions(): KitVersions {
  let kit = 'unknown';
  try {
    kit = (JSON.parse(readFileSync(resolve(KIT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // a copied dist/ without package.json still reports the rest
  }
  return { kit, tfjs: tf.version.tfjs, node: process.version, platform: `${process.platform}-${process.arch}` };
}
