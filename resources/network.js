'use strict';
// The poller and retry functions produce to MSK, so on AWS they run in the cluster's VPC.
// Stage "local" has no VPC; a null stage param would fall back to the default's, hence this.
module.exports.vpc = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  return stage === 'local' ? null : resolveVariable('param:vpc');
};
