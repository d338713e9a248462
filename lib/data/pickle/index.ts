/** The safe pickle reader: `unpickle` and the values it returns. */
export { unpickle, type UnpickleOptions } from './unpickler';
export { NdArray, type NumpyDtype, type NdData, type PyTuple } from './values';
