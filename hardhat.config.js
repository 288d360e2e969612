// Hardhat 2 configuration for govledger.
//
// Compiles contracts/ with the same pinned compiler and settings as
// scripts/compile_contracts.py (solc 0.8.28, cancun, via-IR, optimizer 200 runs),
// offline: the compiler is the solc-js package from node_modules, never a download.
// `npx hardhat node --hostname 127.0.0.1` runs a local JSON-RPC chain for tests.
const path = require('path');
const { subtask } = require('hardhat/config');
const { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } = require('hardhat/builtin-tasks/task-names');

const SOLC_VERSION = '0.8.28';

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args, hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) {
    return runSuper();
  }
  const solc = require('solc');
  return {
    compilerPath: path.join(path.dirname(require.resolve('solc')), 'soljson.js'),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version(),
  };
});

/** @type import('hardhat/config').HardhatUserConfig */
module.exports = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: 'cancun',
      viaIR: true,
      optimizer: { enabled: true, runs: 200 },
      metadata: { bytecodeHash: 'ipfs' },
    },
  },
  paths: {
    sources: './contracts',
    artifacts: './artifacts',
    cache: './cache',
  },
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: 'cancun',
    },
  },
};
