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
  /** Git commit of the kit's checkout when known (a run made from modified files says '+dirty'). */
  commit?: string;
}

/** Returns the kit's version (package.json), TensorFlow.js's, Node's and the platform. */
export function kitVersions(): KitVersions {
  let kit = 'unknown';
  try {
    kit = (JSON.parse(readFileSync(resolve(KIT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // a copied dist/ without package.json still reports the rest
  }
  return { kit, tfjs: tf.version.tfjs, node: process.version, platform: `${process.platform}-${process.arch}`, commit: gitCommit() };
}

let commitCache: string | undefined | null = null;

function gitCommit(): string | undefined {
  if (commitCache !== null) return commitCache;
  try {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: KIT_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'lib'], { cwd: KIT_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    commitCache = head + (dirty ? '+dirty' : '');
  } catch {
    commitCache = undefined; // not a git checkout (a copied kit)
  }
  return commitCache;
}
