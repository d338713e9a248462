// danfojs-node requires '@tensorflow/tfjs-node' at load time. The native package cannot install
// without internet, so the kit points danfojs at the pure-JS @tensorflow/tfjs it already uses:
// one tfjs-core, one engine, one backend for everything in the process.
module.exports = require('@tensorflow/tfjs');
