// Node entry for require(): the ESM entry, loaded synchronously (require(esm), Node >= 20.19).
'use strict';
module.exports = require('./node.js');
