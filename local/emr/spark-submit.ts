/** How the local EMR stand-in runs spark-submit: the master and the environment, for a cold run and for the warm driver. */
import { sparkJars } from '../stack/install';
import { venvBin } from '../stack/paths';

/** Spark on this machine's two cores, as the local stand-in for EMR Serverless's workers. */
export const LOCAL_MASTER = 'local[2]';

/** The jobs' session recipe sizes Spark for this machine when it knows the master is local. */
export function sparkSubmitEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const python = venvBin('python');
  return {
    ...base,
    CDC_SPARK_MASTER: LOCAL_MASTER,
    CDC_SPARK_JARS: sparkJars().join(','),
    PYSPARK_PYTHON: python,
    PYSPARK_DRIVER_PYTHON: python,
  };
}
