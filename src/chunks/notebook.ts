// The notebook kernels, their Livy sessions and sparkmagic's magics, loaded when the first Jupyter
// notebook opens (their own bundle, dist/chunks/notebook.js).
export { NotebookKernels } from '../notebook/NotebookKernels';
