// HoneScript
