/** The safe pickle reader: `unpickle` and the values it returns. */
export { unpickle, ALLOWED_GLOBALS, type UnpickleOptions } from './unpickler';
export { NdArray, type NumpyDtype, type NdData, type PyTuple } from './values';
